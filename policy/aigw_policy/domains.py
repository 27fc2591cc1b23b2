"""Domains: TLS 1.2 or newer, and Route 53 aliases toward CloudFront Route 53 accepts."""

from __future__ import annotations

import re
from typing import Any

from pulumi_policy import (
    PolicyResource,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationArgs,
    StackValidationPolicy,
)

from aigw_policy.values import UNKNOWN, as_list, describe, dig, of_type, plain

REST_DOMAIN = "aws:apigateway/domainName:DomainName"
HTTP_DOMAIN = "aws:apigatewayv2/domainName:DomainName"
RECORD = "aws:route53/record:Record"
# The hosted zone of every CloudFront distribution (and so of every EDGE API endpoint).
CLOUDFRONT_ZONE_ID = "Z2FDTNDATAQYW2"
# TLS_1_2, and the enhanced policies named after TLS 1.2 / 1.3 (SecurityPolicy_TLS13_1_3_...).
_MODERN_TLS = re.compile(r"TLS_1_[23]|TLS1[23]")


def _tls_1_2_or_newer(args: ResourceValidationArgs, report: ReportViolation) -> None:
    """A REST API custom domain without securityPolicy negotiates TLS 1.0 (API Gateway's
    default); TLS 1.0 and 1.1 are broken and refused by current clients and auditors."""
    props = plain(args.props)
    if args.resource_type == REST_DOMAIN:
        policy = props.get("securityPolicy")
        change = "set security_policy='TLS_1_2'"
    elif args.resource_type == HTTP_DOMAIN:
        configurations = props.get("domainNameConfiguration")
        if configurations is UNKNOWN:
            return
        policies = [dig(c, "securityPolicy") for c in as_list(configurations)]
        policy = next(
            (
                p
                for p in policies
                if p is UNKNOWN or not (isinstance(p, str) and _MODERN_TLS.search(p))
            ),
            "TLS_1_2",
        )
        change = "set domain_name_configuration.security_policy='TLS_1_2'"
    else:
        return
    if policy is UNKNOWN:
        return
    if not (isinstance(policy, str) and _MODERN_TLS.search(policy)):
        shown = policy if policy else "unset (TLS 1.0)"
        report(
            f"The custom domain {args.name!r} allows TLS older than 1.2 (security policy "
            f"{shown}): {change}.",
            None,
        )


tls_1_2_domains = ResourceValidationPolicy(
    name="tls-1-2-domains",
    description="Custom domains accept TLS 1.2 or newer only.",
    validate=_tls_1_2_or_newer,
)


def _edge(domain: PolicyResource) -> bool:
    """An API Gateway domain served through CloudFront (an EDGE endpoint)."""
    props = plain(domain.props)
    types = dig(props, "endpointConfiguration", "types")
    if types is not None and types is not UNKNOWN:
        return "EDGE" in as_list(types)
    return props.get("certificateArn") is not None  # EDGE domains take certificate_arn


def _toward_cloudfront(record: PolicyResource, alias: dict[str, Any]) -> bool:
    name, zone = alias.get("name"), alias.get("zoneId")
    if isinstance(name, str) and name.rstrip(".").endswith(".cloudfront.net"):
        return True
    if zone == CLOUDFRONT_ZONE_ID:
        return True
    return any(d.resource_type == REST_DOMAIN and _edge(d) for d in record.dependencies)


def _cloudfront_alias_no_health(args: StackValidationArgs, report: ReportViolation) -> None:
    """Route 53 refuses an alias to a CloudFront distribution that evaluates target health
    (CloudFront has no health to report): the record fails to create."""
    for record in of_type(args.resources, RECORD):
        for alias in as_list(plain(record.props).get("aliases")):
            if not isinstance(alias, dict) or alias.get("evaluateTargetHealth") is not True:
                continue
            if _toward_cloudfront(record, alias):
                report(
                    f"The alias record {describe(record)} points at CloudFront (an EDGE "
                    "endpoint) and evaluates target health, which Route 53 refuses: set "
                    "evaluate_target_health=False.",
                    record.urn,
                )


cloudfront_alias_no_health = StackValidationPolicy(
    name="cloudfront-alias-no-health-check",
    description="A Route 53 alias record toward CloudFront never evaluates target health.",
    validate=_cloudfront_alias_no_health,
)
