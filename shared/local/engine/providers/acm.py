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
- It ignores `keyAlgorithm` (every certificate is RSA_2048) and `options` (the transparency
  logging preference is not kept), so both are left out of `inputs`.
- Imported certificates (`certificateBody`/`privateKey`) and private CA certificates are not
  handled by this provider; their inputs are not in `inputs` either.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime
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
)
from shared.local.engine.state import ResourceRecord
from shared.local.engine.tagging import retag, tag_list, tag_map
from shared.local.engine.waiting import Backoff

_RECORD_WAIT_SECONDS = 120.0


@provides
class Certificate(Provider):
    """An Amazon-issued certificate. ACM gives it no name: `find` recognises the one an
    interrupted create made by its domain names and tags."""

    type_token = "aws:acm/certificate:Certificate"
    service = "acm"
    inputs = frozenset(
        {"domainName", "subjectAlternativeNames", "validationMethod", "tags", "region"}
    )
    outputs = frozenset(
        {
            "arn",
            "domainValidationOptions",
            "validationEmails",
            "status",
            "type",
            "keyAlgorithm",
            "notBefore",
            "notAfter",
            "tagsAll",
        }
    )
    updatable = frozenset({"tags"})

    def create(self, ctx: Context, want: Desired) -> Created:
        i = want.inputs
        client = self.client(ctx, i)
        arn = client.request_certificate(
            **drop_none(
                DomainName=i["domainName"],
                ValidationMethod=i.get("validationMethod"),
                SubjectAlternativeNames=i.get("subjectAlternativeNames") or None,
                Tags=tag_list(i.get("tags")) or None,
            )
        )["CertificateArn"]
        try:
            return Created(arn, self._outputs(client, arn, i))
        except Exception:
            client.delete_certificate(CertificateArn=arn)  # leave nothing unrecorded behind
            raise

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
            "notBefore": _timestamp(certificate.get("NotBefore")),
            "notAfter": _timestamp(certificate.get("NotAfter")),
            "tagsAll": dict(inputs.get("tags") or {}),
        }

    @staticmethod
    def _described(client: Client, arn: str, dns: bool) -> dict[str, Any]:
        """The certificate, once AWS has filled in every DNS validation record."""
        deadline = time.monotonic() + _RECORD_WAIT_SECONDS
        backoff = Backoff(longest=1.0)
        while True:
            certificate: dict[str, Any] = client.describe_certificate(CertificateArn=arn)[
                "Certificate"
            ]
            options = certificate.get("DomainValidationOptions", [])
            ready = not dns or (options and all(o.get("ResourceRecord") for o in options))
            if ready or time.monotonic() > deadline:
                return certificate
            backoff.sleep()

    def update(self, ctx: Context, have: ResourceRecord, want: Desired) -> Outputs:
        client = self.client(ctx, want.inputs)
        live = _live_tags(client, have.id)  # not the recorded ones: they may have drifted
        retag(
            live,
            want.inputs.get("tags"),
            untag=lambda keys: client.remove_tags_from_certificate(
                CertificateArn=have.id, Tags=tag_list({k: live[k] for k in keys})
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
        backoff = Backoff(longest=5.0)
        while True:
            try:
                client.delete_certificate(CertificateArn=have.id)
                return
            except client.exceptions.ResourceInUseException:
                if time.monotonic() > deadline:
                    raise
                backoff.sleep()

    def read(self, ctx: Context, have: ResourceRecord) -> Inputs:
        """Domain, alternative names, validation method and tags. The region is where the
        certificate is read, so it is not compared."""
        client = self.client(ctx, have.inputs)
        certificate = client.describe_certificate(CertificateArn=have.id)["Certificate"]
        return _as_inputs(certificate, _live_tags(client, have.id), have.inputs)

    def find(self, ctx: Context, want: Desired) -> str | None:
        """The one certificate of the region with `want`'s domain names and every one of its
        tags. Without tags, or with several such certificates, it cannot tell the one a create
        made from another and says none."""
        wanted_tags = want.inputs.get("tags") or {}
        if not wanted_tags:
            return None
        client = self.client(ctx, want.inputs)
        pages = client.get_paginator("list_certificates").paginate()
        matches = []
        for page in pages:
            for summary in page["CertificateSummaryList"]:
                if summary.get("DomainName") != want.inputs["domainName"]:
                    continue
                arn = summary["CertificateArn"]
                certificate = client.describe_certificate(CertificateArn=arn)["Certificate"]
                tags = _live_tags(client, arn)
                live = _as_inputs(certificate, tags, want.inputs)
                same_names = live.get("subjectAlternativeNames") == want.inputs.get(
                    "subjectAlternativeNames"
                )
                if same_names and all(tags.get(k) == v for k, v in wanted_tags.items()):
                    matches.append(arn)
        return matches[0] if len(matches) == 1 else None


def _live_tags(client: Client, arn: str) -> dict[str, str]:
    """ACM's tag calls are its own (its untag call takes the tags with their values), so its
    tags are read and moved here rather than through a `tagging.TagCalls`."""
    return tag_map(client.list_tags_for_certificate(CertificateArn=arn).get("Tags"))


def _as_inputs(certificate: dict[str, Any], tags: dict[str, str], recorded: Inputs) -> Inputs:
    """A described certificate as a Certificate's inputs, shaped like `recorded`. ACM lists the
    domain name among the alternative names; pulumi-aws does not, and it compares them as a set
    (the recorded list is returned when they are equal, in the program's order)."""
    domain = certificate["DomainName"]
    live: Inputs = {"domainName": domain}
    names = [n for n in certificate.get("SubjectAlternativeNames", []) if n != domain]
    wanted = recorded.get("subjectAlternativeNames")
    if wanted is not None and set(wanted) - {domain} == set(names):
        live["subjectAlternativeNames"] = wanted
    elif names or wanted is not None:
        live["subjectAlternativeNames"] = names
    methods = {o.get("ValidationMethod") for o in certificate.get("DomainValidationOptions", [])}
    if "validationMethod" in recorded and len(methods) == 1:
        live["validationMethod"] = methods.pop()
    if tags or "tags" in recorded:
        live["tags"] = tags
    return live


def _timestamp(value: datetime | None) -> str | None:
    return None if value is None else value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@provides
class CertificateValidation(Provider):
    """Waits until ACM has issued the certificate; like the AWS provider, it creates nothing in
    AWS and deleting it leaves the certificate alone."""

    type_token = "aws:acm/certificateValidation:CertificateValidation"
    service = "acm"
    inputs = frozenset({"certificateArn", "validationRecordFqdns", "region"})
    updatable = frozenset({"validationRecordFqdns"})

    def create(self, ctx: Context, want: Desired) -> Created:
        arn = want.inputs["certificateArn"]
        client = self.client(ctx, want.inputs)
        deadline = time.monotonic() + _RECORD_WAIT_SECONDS
        backoff = Backoff(longest=0.5)
        while True:
            status = client.describe_certificate(CertificateArn=arn)["Certificate"]["Status"]
            if status == "ISSUED":
                return Created(arn, {"certificateArn": arn})
            if status != "PENDING_VALIDATION" or time.monotonic() > deadline:
                raise UserError(f"Certificate {arn} was not issued (status {status}).")
            backoff.sleep()

    def update(self, ctx: Context, have: ResourceRecord, want: Desired) -> Outputs:
        return {"certificateArn": have.id}

    def delete(self, ctx: Context, have: ResourceRecord) -> None:
        return None

    def read(self, ctx: Context, have: ResourceRecord) -> Inputs:
        """The certificate it waited for; the validation records are not kept by ACM, so they
        are not compared."""
        self.client(ctx, have.inputs).describe_certificate(CertificateArn=have.id)
        return {"certificateArn": have.id}

    def find(self, ctx: Context, want: Desired) -> str | None:
        """The certificate, when it is issued: what a finished create of this resource saw."""
        arn = want.inputs["certificateArn"]
        status = self.lookup(self.client(ctx, want.inputs).describe_certificate, CertificateArn=arn)
        return str(arn) if status and status["Certificate"]["Status"] == "ISSUED" else None
