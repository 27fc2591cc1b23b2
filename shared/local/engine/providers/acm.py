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
from shared.local.engine.providers.base import (
    Client,
    Context,
    Created,
    Desired,
    Inputs,
    Outputs,
    Provider,
    drop_none,
    provides,
    retag,
    tag_list,
)
from shared.local.engine.state import ResourceRecord

_RECORD_WAIT_SECONDS = 120.0


@provides
class Certificate(Provider):
    type_token = "aws:acm/certificate:Certificate"
    service = "acm"
    updatable = frozenset({"tags"})

    def create(self, ctx: Context, want: Desired) -> Created:
        i = want.inputs
        if i.get("certificateBody") or i.get("privateKey") or i.get("certificateAuthorityArn"):
            raise UserError(
                "The local engine only requests Amazon-issued ACM certificates "
                "(domain_name + validation_method)."
            )
        options = i.get("options") or {}
        preference = options.get("certificateTransparencyLoggingPreference")
        client = self.client(ctx, i)
        arn = client.request_certificate(
            **drop_none(
                DomainName=i["domainName"],
                ValidationMethod=i.get("validationMethod"),
                SubjectAlternativeNames=i.get("subjectAlternativeNames") or None,
                KeyAlgorithm=i.get("keyAlgorithm"),
                Options={"CertificateTransparencyLoggingPreference": preference}
                if preference
                else None,
                Tags=tag_list(i.get("tags")) or None,
            )
        )["CertificateArn"]
        return Created(arn, self._outputs(client, arn, i))

    def _outputs(self, client: Client, arn: str, inputs: Inputs) -> Outputs:
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

    @staticmethod
    def _described(client: Client, arn: str, dns: bool) -> dict[str, Any]:
        """The certificate, once AWS has filled in every DNS validation record."""
        deadline = time.monotonic() + _RECORD_WAIT_SECONDS
        while True:
            certificate: dict[str, Any] = client.describe_certificate(CertificateArn=arn)[
                "Certificate"
            ]
            options = certificate.get("DomainValidationOptions", [])
            ready = not dns or (options and all(o.get("ResourceRecord") for o in options))
            if ready or time.monotonic() > deadline:
                return certificate
            time.sleep(1)

    def update(self, ctx: Context, have: ResourceRecord, want: Desired) -> Outputs:
        client = self.client(ctx, want.inputs)
        old = have.inputs.get("tags") or {}
        retag(
            old,
            want.inputs.get("tags"),
            untag=lambda keys: client.remove_tags_from_certificate(
                CertificateArn=have.id, Tags=tag_list({k: old[k] for k in keys})
            ),
            tag=lambda tags: client.add_tags_to_certificate(
                CertificateArn=have.id, Tags=tag_list(tags)
            ),
        )
        return self._outputs(client, have.id, want.inputs)

    def delete(self, ctx: Context, have: ResourceRecord) -> None:
        # A custom domain just deleted may hold on to the certificate for a while on AWS.
        client = self.client(ctx, have.inputs)
        deadline = time.monotonic() + 300
        while True:
            try:
                client.delete_certificate(CertificateArn=have.id)
                return
            except client.exceptions.ResourceInUseException:
                if time.monotonic() > deadline:
                    raise
                time.sleep(5)

    def read(self, ctx: Context, have: ResourceRecord) -> object:
        return self.client(ctx, have.inputs).describe_certificate(CertificateArn=have.id)


@provides
class CertificateValidation(Provider):
    """Waits until ACM has issued the certificate; like the AWS provider, it creates nothing in
    AWS and deleting it leaves the certificate alone."""

    type_token = "aws:acm/certificateValidation:CertificateValidation"
    service = "acm"
    updatable = frozenset({"validationRecordFqdns"})

    def create(self, ctx: Context, want: Desired) -> Created:
        arn = want.inputs["certificateArn"]
        client = self.client(ctx, want.inputs)
        deadline = time.monotonic() + _RECORD_WAIT_SECONDS
        while True:
            status = client.describe_certificate(CertificateArn=arn)["Certificate"]["Status"]
            if status == "ISSUED":
                return Created(arn, {"certificateArn": arn})
            if status != "PENDING_VALIDATION" or time.monotonic() > deadline:
                raise UserError(f"Certificate {arn} was not issued (status {status}).")
            time.sleep(0.5)

    def update(self, ctx: Context, have: ResourceRecord, want: Desired) -> Outputs:
        return {"certificateArn": have.id}

    def delete(self, ctx: Context, have: ResourceRecord) -> None:
        return None

    def read(self, ctx: Context, have: ResourceRecord) -> object:
        return self.client(ctx, have.inputs).describe_certificate(CertificateArn=have.id)
