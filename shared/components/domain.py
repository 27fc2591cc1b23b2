"""A REST API stage served on a custom domain, as one component: the ACM certificate validated
through Route 53, the API Gateway domain name, its base path mapping and the alias record.

Default settings (a caller's `domain_args` override the first kind for the domain name; what
is marked fixed is insisted on):
- a DNS-validated ACM certificate; an EDGE domain is fronted by CloudFront, which only reads
  certificates from us-east-1, so its certificate is made there (per-resource `region`)
  whatever the stack's region; a REGIONAL domain uses a certificate of its own region;
- the domain name with TLS 1.2 (`security_policy`), mapped to the API's stage at the root
  (fixed: the domain, its endpoint type and certificate);
- one ACM validation record per domain: the first CustomDomain of a domain owns it, the
  others (`validation_from`, one per extra region) validate through it, so removing a region
  never deletes what the other certificates renew with;
- an A alias record toward the domain's endpoint, evaluating target health only for a regional
  endpoint (Route 53 refuses it toward CloudFront, an EDGE domain's target); with
  `latency_routed`, it carries a latency routing policy named after its region, so Route 53
  answers with the closest region.
The domain name and the records have fixed names (the domain's), so they are replaced
delete-before-create.

Outputs: `domain_name`, `target_domain_name` (what the alias points at).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import pulumi
import pulumi_aws as aws

from shared.components import naming
from shared.components.rest_api import RestApi

TYPE = "aigw:apigateway:CustomDomain"
CLOUDFRONT_CERTIFICATE_REGION = "us-east-1"


@dataclass(frozen=True, kw_only=True)
class CustomDomainArgs:
    api: RestApi
    domain: str
    zone_id: str
    endpoint_type: str
    latency_routed: bool = False
    region: str | None = None  # None: the stack's region
    # The domain's first CustomDomain (the home region's): ACM asks every region's certificate
    # for one domain to prove it with the same CNAME, so that one owns the record and the
    # others validate through it.
    validation_from: CustomDomain | None = None
    domain_args: Mapping[str, Any] = field(default_factory=dict)  # extra apigateway.DomainName


class CustomDomain(pulumi.ComponentResource):
    domain_name: pulumi.Output[str]
    target_domain_name: pulumi.Output[str]
    validation_record_fqdn: pulumi.Output[str]  # the ACM validation CNAME (owned or shared)

    def __init__(
        self, name: str, args: CustomDomainArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__(TYPE, name, None, opts)
        edge = args.endpoint_type == "EDGE"
        certificate_arn = self._validated_certificate(
            name, args, CLOUDFRONT_CERTIFICATE_REGION if edge else args.region
        )
        endpoint = aws.apigateway.DomainName(
            name,
            **naming.merged(
                TYPE,
                defaults={"security_policy": "TLS_1_2", "region": args.region},
                extra=args.domain_args,
                insisted={
                    "domain_name": args.domain,
                    "endpoint_configuration": {"types": args.endpoint_type},
                    "certificate_arn": certificate_arn if edge else None,
                    "regional_certificate_arn": None if edge else certificate_arn,
                    "tags": naming.tags(),
                },
                auto_named=(),
            ),
            opts=naming.child(self, delete_before_replace=True),
        )
        aws.apigateway.BasePathMapping(
            f"{name}-mapping",
            rest_api=args.api.api_id,
            stage_name=args.api.stage_name,
            domain_name=endpoint.domain_name,
            region=args.region,
            opts=naming.child(self),
        )
        target_name = endpoint.cloudfront_domain_name if edge else endpoint.regional_domain_name
        target_zone = endpoint.cloudfront_zone_id if edge else endpoint.regional_zone_id
        served_from = args.region or pulumi.Config("aws").require("region")
        aws.route53.Record(
            f"{name}-alias",
            zone_id=args.zone_id,
            name=args.domain,
            type="A",
            # Route 53 refuses EvaluateTargetHealth on an alias to a CloudFront distribution
            # (what an EDGE domain is); a regional endpoint's health is worth following.
            aliases=[
                {"name": target_name, "zone_id": target_zone, "evaluate_target_health": not edge}
            ],
            set_identifier=served_from if args.latency_routed else None,
            latency_routing_policies=([{"region": served_from}] if args.latency_routed else None),
            opts=naming.child(self, delete_before_replace=True),
        )
        self.domain_name = endpoint.domain_name
        self.target_domain_name = target_name
        self.register_outputs(
            {"domain_name": self.domain_name, "target_domain_name": self.target_domain_name}
        )

    def _validated_certificate(
        self, name: str, args: CustomDomainArgs, region: str | None
    ) -> pulumi.Output[str]:
        """A DNS-validated certificate's ARN, known only once ACM has issued it."""
        certificate = aws.acm.Certificate(
            f"{name}-certificate",
            domain_name=args.domain,
            validation_method="DNS",
            tags=naming.tags(),
            region=region,
            opts=naming.child(self),
        )
        if args.validation_from is not None:
            self.validation_record_fqdn = args.validation_from.validation_record_fqdn
        else:
            option = certificate.domain_validation_options.apply(lambda options: options[0])
            record = aws.route53.Record(
                f"{name}-certificate-validation-record",
                zone_id=args.zone_id,
                name=option.apply(lambda o: o["resource_record_name"]),
                type=option.apply(lambda o: o["resource_record_type"]),
                records=[option.apply(lambda o: o["resource_record_value"])],
                ttl=60,
                # One owner (no allow_overwrite): removing a region must never delete the
                # record the other regions' certificates renew with.
                opts=naming.child(self, delete_before_replace=True),
            )
            self.validation_record_fqdn = record.fqdn
        validation = aws.acm.CertificateValidation(
            f"{name}-certificate-validation",
            certificate_arn=certificate.arn,
            validation_record_fqdns=[self.validation_record_fqdn],
            region=region,
            opts=naming.child(self),
        )
        return validation.certificate_arn
