"""Documents in S3-compatible object storage (django-storages, boto3), when configured.

Either one URL, `STORAGE_URL=s3://ACCESS_KEY:SECRET_KEY@host:port/bucket?region=eu-central-1`
(`&secure=false` for plain http, e.g. a server on the same private network), or the usual
AWS_* variables: AWS_STORAGE_BUCKET_NAME, AWS_S3_ENDPOINT_URL (omit for Amazon S3),
AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_S3_REGION_NAME. Variables override the URL.

The bucket stays private: objects are written without a public ACL, and applicants and
staff still download through the permission-checked view, which streams the object. Any
URL the storage would hand out is signed and expires after AWS_QUERYSTRING_EXPIRE seconds.
"""

from __future__ import annotations

from urllib.parse import parse_qs, unquote, urlsplit

from django.core.exceptions import ImproperlyConfigured

__all__ = ["s3_storage_options"]

BACKEND = "storages.backends.s3.S3Storage"


def s3_storage_options(url: str, env) -> dict | None:
    """The STORAGES entry for private documents in object storage, or None when neither
    STORAGE_URL nor AWS_STORAGE_BUCKET_NAME is set. `env` is the settings' environ.Env."""
    options: dict = {}
    if url:
        parts = urlsplit(url)
        if parts.scheme != "s3" or not parts.path.strip("/"):
            raise ImproperlyConfigured("STORAGE_URL must look like s3://key:secret@host/bucket")
        query = {key: values[-1] for key, values in parse_qs(parts.query).items()}
        secure = query.get("secure", "true").lower() not in {"0", "false", "no"}
        if parts.hostname:
            port = f":{parts.port}" if parts.port else ""
            options["endpoint_url"] = f"{'https' if secure else 'http'}://{parts.hostname}{port}"
        options.update(
            bucket_name=parts.path.strip("/"),
            access_key=unquote(parts.username or ""),
            secret_key=unquote(parts.password or ""),
            region_name=query.get("region", "us-east-1"),
        )
    for option, variable in (
        ("bucket_name", "AWS_STORAGE_BUCKET_NAME"),
        ("endpoint_url", "AWS_S3_ENDPOINT_URL"),
        ("access_key", "AWS_ACCESS_KEY_ID"),
        ("secret_key", "AWS_SECRET_ACCESS_KEY"),
        ("region_name", "AWS_S3_REGION_NAME"),
    ):
        value = env(variable, default="")
        if value:
            options[option] = value
    if not options.get("bucket_name"):
        return None
    options.update(
        # Private: no ACL header (the bucket's own policy, private by default), signed URLs.
        default_acl=None,
        querystring_auth=True,
        querystring_expire=env.int("AWS_QUERYSTRING_EXPIRE", default=300),
        # Never overwrite: a new upload of the same name gets a new key.
        file_overwrite=False,
        signature_version="s3v4",
        # Path-style addressing works with every S3-compatible server (and Amazon S3).
        addressing_style=env("AWS_S3_ADDRESSING_STYLE", default="path"),
    )
    return {"BACKEND": BACKEND, "OPTIONS": options}
