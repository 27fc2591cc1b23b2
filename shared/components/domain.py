"""A REST API stage served on a custom domain: ACM certificate validated through Route 53, the
API Gateway domain name, its base path mapping, and the alias record that points at it.

An EDGE domain is fronted by CloudFront, which only reads certificates from us-east-1, so its
certificate is made there through the per-resource `region` argument whatever the stack's
region. Regional domains use a certificate of their own region. When the same domain is served
from several regions, each region's alias record carries a latency routing policy and Route 53
answers with the closest healthy region.
"""

from __future__ import annotations

import pulumi
import pulumi_aws as aws

from shared.components import naming
from shared.components.rest_api import RestApi

CLOUDFRONT_CERTIFICATE_REGION = "us-east-1"


def serve_on_domain(
    api: RestApi,
    stage: aws.apigateway.Stage,
    *,
    domain: str,
    zone_id: str,
    endpoint_type: str,
    latency_routed: bool,
    region: str | None = None,
) -> aws.apigateway.DomainName:
    suffix = f"-{region}" if region else ""
    edge = endpoint_type == "EDGE"
    certificate_arn = _validated_certificate(
        suffix, domain, zone_id, CLOUDFRONT_CERTIFICATE_REGION if edge else region
    )
    endpoint = aws.apigateway.DomainName(
        f"domain{suffix}",
        domain_name=domain,
        endpoint_configuration={"types": endpoint_type},
        **(
            {"certificate_arn": certificate_arn}
            if edge
            else {"regional_certificate_arn": certificate_arn}
        ),
        tags=naming.tags(),
        **naming.placed(region),
    )
    aws.apigateway.BasePathMapping(
        f"domain{suffix}-mapping",
        rest_api=api.api.id,
        stage_name=stage.stage_name,
        domain_name=endpoint.domain_name,
        **naming.placed(region),
    )
    target_name = endpoint.cloudfront_domain_name if edge else endpoint.regional_domain_name
    target_zone = endpoint.cloudfront_zone_id if edge else endpoint.regional_zone_id
    served_from = region or pulumi.Config("aws").require("region")
    aws.route53.Record(
        f"domain{suffix}-alias",
        zone_id=zone_id,
        name=domain,
        type="A",
        aliases=[{"name": target_name, "zone_id": target_zone, "evaluate_target_health": True}],
        **(
            {"set_identifier": served_from, "latency_routing_policies": [{"region": served_from}]}
            if latency_routed
            else {}
        ),
    )
    return endpoint


def _validated_certificate(
    suffix: str, domain: str, zone_id: str, region: str | None
) -> pulumi.Output[str]:
    """A DNS-validated certificate's ARN, known only once ACM has issued it."""
    certificate = aws.acm.Certificate(
        f"certificate{suffix}",
        domain_name=domain,
        validation_method="DNS",
        tags=naming.tags(),
        **naming.placed(region),
    )
    option = certificate.domain_validation_options.apply(lambda options: options[0])
    record = aws.route53.Record(
        f"certificate{suffix}-validation-record",
        zone_id=zone_id,
        name=option.apply(lambda o: o["resource_record_name"]),
        type=option.apply(lambda o: o["resource_record_type"]),
        records=[option.apply(lambda o: o["resource_record_value"])],
        ttl=60,
        # Every region's certificate for one domain asks for the same validation record.
        allow_overwrite=True,
    )
    validation = aws.acm.CertificateValidation(
        f"certificate{suffix}-validation",
        certificate_arn=certificate.arn,
        validation_record_fqdns=[record.fqdn],
        **naming.placed(region),
    )
    return validation.certificate_arn
