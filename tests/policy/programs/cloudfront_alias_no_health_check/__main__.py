"""An alias record toward CloudFront that evaluates target health."""

import pulumi_aws as aws

zone = aws.route53.Zone("zone", name="example.com")
aws.route53.Record(
    "api",
    zone_id=zone.zone_id,
    name="api.example.com",
    type="A",
    aliases=[
        {
            "name": "d111111abcdef8.cloudfront.net",
            "zone_id": "Z2FDTNDATAQYW2",
            "evaluate_target_health": True,
        }
    ],
)
