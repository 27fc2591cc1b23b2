import pulumi_aws as aws
from naming.prefix import PREFIX

role = aws.iam.Role("helper-role", name=f"{PREFIX}-role", assume_role_policy="{}")
