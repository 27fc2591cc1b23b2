"""ACM certificates requested from Amazon (DNS or e-mail validation) on the emulator.

The per-resource `region` input matters here more than anywhere: an edge-optimised custom domain
needs its certificate in us-east-1 whatever region the API is in.

Where MiniStack 1.5.33 differs from AWS:
- A requested certificate is ISSUED at once, every domain's validation already SUCCESS, without
  any DNS record; on AWS it stays PENDING_VALIDATION until the CNAME records exist.
- Its validation records are `_acme-challenge.<domain>.` CNAMEs to
  `fake-validation-<hash>.acm.amazonaws.com.`; AWS uses `_<hash>.<domain>.` and
  `_<hash>.<id>.acm-validations.aws.`, and fills them in a few seconds after the request, which
  is why `create` waits for them.
- Imported certificates (`certificateBody`/`privateKey`) and private CA certificates are not
  handled by this provider.
"""

from __future__ import annotations

import time
from typing import Any

from shared.errors import UserError
from shared.local.engine.providers.base import Context, Provider, drop_none, provides

_RECORD_WAIT_SECONDS = 120.0


def _client(ctx: Context, inputs: dict[str, Any]) -> Any:
    return ctx.client("acm", inputs.get("region"))


def _tag_list(tags: dict[str, str] | None) -> list[dict[str, str]]:
    return [{"Key": k, "Value": v} for k, v in (tags or {}).items()]


@provides
class Certificate(Provider):
    type_token = "aws:acm/certificate:Certificate"
    updatable = frozenset({"tags"})

    def create(self, ctx, want):
        i = want.inputs
        if i.get("certificateBody") or i.get("privateKey") or i.get("certificateAuthorityArn"):
            raise UserError(
                "The local engine only requests Amazon-issued ACM certificates "
                "(domain_name + validation_method)."
            )
        options = i.get("options") or {}
        preference = options.get("certificateTransparencyLoggingPreference")
        client = _client(ctx, i)
        arn = client.request_certificate(
            **drop_none(
                DomainName=i["domainName"],
                ValidationMethod=i.get("validationMethod"),
                SubjectAlternativeNames=i.get("subjectAlternativeNames") or None,
                KeyAlgorithm=i.get("keyAlgorithm"),
                Options={"CertificateTransparencyLoggingPreference": preference}
                if preference
                else None,
                Tags=_tag_list(i.get("tags")) or None,
            )
        )["CertificateArn"]
        return arn, self._outputs(client, arn, i)

    def _outputs(self, client, arn, inputs):
        certificate = self._described(client, arn, inputs.get("validationMethod") == "DNS")
        return {
            "arn": arn,
            "domainValidationOptions": [
                {
                    "domainName": o["DomainName"],
                    "resourceRecordName": o["ResourceRecord"]["Name"],
                    "resourceRecordType": o["ResourceRecord"]["Type"],
                    "resourceRecordValue": o["ResourceRecord"]["Value"],
                }
                for o in certificate.get("DomainValidationOptions", [])
                if o.get("ResourceRecord")
            ],
            "validationEmails": sorted(
                {
                    e
                    for o in certificate.get("DomainValidationOptions", [])
                    for e in o.get("ValidationEmails", [])
                }
            ),
            "status": certificate.get("Status"),
            "type": certificate.get("Type"),
            "keyAlgorithm": certificate.get("KeyAlgorithm"),
        }

    def _described(self, client, arn, dns: bool) -> dict[str, Any]:
        """The certificate, once AWS has filled in every DNS validation record."""
        deadline = time.monotonic() + _RECORD_WAIT_SECONDS
        while True:
            certificate = client.describe_certificate(CertificateArn=arn)["Certificate"]
            options = certificate.get("DomainValidationOptions", [])
            ready = not dns or (options and all(o.get("ResourceRecord") for o in options))
            if ready or time.monotonic() > deadline:
                return certificate
            time.sleep(1)

    def update(self, ctx, have, want):
        client = _client(ctx, want.inputs)
        old, new = have.inputs.get("tags") or {}, want.inputs.get("tags") or {}
        if removed := [{"Key": k, "Value": v} for k, v in old.items() if k not in new]:
            client.remove_tags_from_certificate(CertificateArn=have.id, Tags=removed)
        if new and new != old:
            client.add_tags_to_certificate(CertificateArn=have.id, Tags=_tag_list(new))
        return self._outputs(client, have.id, want.inputs)

    def delete(self, ctx, have):
        # A custom domain just deleted may hold on to the certificate for a while on AWS.
        client = _client(ctx, have.inputs)
        deadline = time.monotonic() + 300
        while True:
            try:
                client.delete_certificate(CertificateArn=have.id)
                return
            except client.exceptions.ResourceInUseException:
                if time.monotonic() > deadline:
                    raise
                time.sleep(5)

    def read(self, ctx, have):
        return _client(ctx, have.inputs).describe_certificate(CertificateArn=have.id)


@provides
class CertificateValidation(Provider):
    """Waits until ACM has issued the certificate; like the AWS provider, it creates nothing in
    AWS and deleting it leaves the certificate alone."""

    type_token = "aws:acm/certificateValidation:CertificateValidation"
    updatable = frozenset({"validationRecordFqdns"})

    def create(self, ctx, want):
        arn = want.inputs["certificateArn"]
        client = _client(ctx, want.inputs)
        deadline = time.monotonic() + _RECORD_WAIT_SECONDS
        while True:
            status = client.describe_certificate(CertificateArn=arn)["Certificate"]["Status"]
            if status == "ISSUED":
                return arn, {"certificateArn": arn}
            if status != "PENDING_VALIDATION" or time.monotonic() > deadline:
                raise UserError(f"Certificate {arn} was not issued (status {status}).")
            time.sleep(0.5)

    def update(self, ctx, have, want):
        return {"certificateArn": have.id}

    def delete(self, ctx, have):
        return None

    def read(self, ctx, have):
        return _client(ctx, have.inputs).describe_certificate(CertificateArn=have.id)
