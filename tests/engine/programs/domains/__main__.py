"""A custom domain in front of a REST API backed by a Lambda function, with its certificate,
hosted zone and records.

name            unique label: the zone is <name>.example.com, the domain api.<name>.example.com
stage           the stage the domain's /models path maps to, blue (default) or green: the
                mapping updates in place
securityPolicy  the domain's TLS policy, TLS_1_2 (default) or TLS_1_0: updates in place
ttl             TTL of the www record (default 300): updates in place
owner           the certificate's owner tag: updates in place
certRegion      region of a second certificate (default eu-west-1)
"""

import json

import pulumi
import pulumi_aws as aws

config = pulumi.Config()
label = config.require("name")
zone_name = f"{label}.example.com"
domain_name = f"api.{zone_name}"

zone = aws.route53.Zone("zone", name=zone_name)
cert = aws.acm.Certificate(
    "cert",
    domain_name=domain_name,
    subject_alternative_names=[f"www.{zone_name}"],
    validation_method="DNS",
    tags={"owner": config.get("owner") or "first"},
)
validation = cert.domain_validation_options[0]
aws.route53.Record(
    "validation",
    zone_id=zone.zone_id,
    name=validation.resource_record_name,
    type=validation.resource_record_type,
    records=[validation.resource_record_value],
    ttl=60,
)
# The per-resource region of pulumi-aws 7: this one lives in another region than the rest.
other_cert = aws.acm.Certificate(
    "otherCert",
    domain_name=domain_name,
    validation_method="DNS",
    region=config.get("certRegion") or "eu-west-1",
)

role = aws.iam.Role(
    "role",
    name=f"{label}-fn",
    assume_role_policy=json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"Service": "lambda.amazonaws.com"},
                    "Action": "sts:AssumeRole",
                }
            ],
        }
    ),
)
handler = """
import json

def handler(event, context):
    stage = event.get("requestContext", {}).get("stage")
    return {"statusCode": 200, "body": json.dumps({"stage": stage})}
"""
function = aws.lambda_.Function(
    "function",
    name=f"{label}-fn",
    runtime="python3.12",
    handler="app.handler",
    role=role.arn,
    code=pulumi.AssetArchive({"app.py": pulumi.StringAsset(handler)}),
)

api = aws.apigateway.RestApi("api", name=f"{label}-api")
method = aws.apigateway.Method(
    "method",
    rest_api=api.id,
    resource_id=api.root_resource_id,
    http_method="GET",
    authorization="NONE",
)
integration = aws.apigateway.Integration(
    "integration",
    rest_api=api.id,
    resource_id=api.root_resource_id,
    http_method=method.http_method,
    type="AWS_PROXY",
    integration_http_method="POST",
    uri=function.invoke_arn,
)
permission = aws.lambda_.Permission(
    "invoke",
    action="lambda:InvokeFunction",
    function=function.name,
    principal="apigateway.amazonaws.com",
    source_arn=pulumi.Output.concat(api.execution_arn, "/*/*"),
)
deployment = aws.apigateway.Deployment(
    "deployment", rest_api=api.id, opts=pulumi.ResourceOptions(depends_on=[integration])
)
stages = {
    color: aws.apigateway.Stage(
        color,
        rest_api=api.id,
        deployment=deployment.id,
        stage_name=color,
        opts=pulumi.ResourceOptions(depends_on=[permission]),
    )
    for color in ("blue", "green")
}

domain = aws.apigateway.DomainName(
    "domain",
    domain_name=domain_name,
    regional_certificate_arn=cert.arn,
    endpoint_configuration={"types": "REGIONAL"},
    security_policy=config.get("securityPolicy") or "TLS_1_2",
)
mapping = aws.apigateway.BasePathMapping(
    "mapping",
    domain_name=domain.domain_name,
    rest_api=api.id,
    stage_name=stages[config.get("stage") or "blue"].stage_name,
    base_path="models",
)

aws.route53.Record(
    "alias",
    zone_id=zone.zone_id,
    name=domain.domain_name,
    type="A",
    aliases=[
        {
            "name": domain.regional_domain_name,
            "zone_id": domain.regional_zone_id,
            "evaluate_target_health": False,
        }
    ],
)
aws.route53.Record(
    "www",
    zone_id=zone.zone_id,
    name="www",  # relative to the zone
    type="CNAME",
    ttl=config.get_int("ttl") or 300,
    records=[domain.regional_domain_name],
)
for region in ("us-east-1", "eu-west-1"):
    aws.route53.Record(
        f"latency-{region}",
        zone_id=zone.zone_id,
        name=f"models.{zone_name}",
        type="CNAME",
        ttl=60,
        set_identifier=region,
        latency_routing_policies=[{"region": region}],
        records=[f"models.{region}.example.net"],
    )

pulumi.export("zoneId", zone.zone_id)
pulumi.export("nameServers", zone.name_servers)
pulumi.export("domainName", domain.domain_name)
pulumi.export("regionalDomainName", domain.regional_domain_name)
pulumi.export("regionalZoneId", domain.regional_zone_id)
pulumi.export("certArn", cert.arn)
pulumi.export("otherCertArn", other_cert.arn)
pulumi.export("validationRecord", validation.resource_record_name)
pulumi.export("apiId", api.id)
