"""Papers an applicant can print: the submitted application and the scholarship offer letter
(PDF), each with a link to a public page that confirms it is genuine."""
