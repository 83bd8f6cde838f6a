# `terraform test` for every synthesized stack (test/terraform/harness.ts copies this file next to the stack).
# The AWS provider is mocked: nothing is called, no credentials. The provider still checks every value it
# validates itself (ARNs, JSON policies, enums, ranges), so data sources and computed attributes get values of the
# shape AWS returns; random strings would fail those checks for the wrong reason.

mock_provider "aws" {
  mock_data "aws_availability_zones" {
    defaults = {
      names    = ["us-east-1a", "us-east-1b", "us-east-1c"]
      zone_ids = ["use1-az1", "use1-az2", "use1-az4"]
      id       = "us-east-1"
    }
  }
  mock_data "aws_caller_identity" {
    defaults = {
      account_id = "123456789012"
      arn        = "arn:aws:iam::123456789012:user/ci"
      user_id    = "AIDAEXAMPLEUSERID0001"
      id         = "123456789012"
    }
  }
  mock_data "aws_partition" {
    defaults = {
      partition          = "aws"
      dns_suffix         = "amazonaws.com"
      reverse_dns_prefix = "com.amazonaws"
      id                 = "aws"
    }
  }
  mock_data "aws_region" {
    # `name` (provider 5.x) and `region` (6.x): the schema at hand keeps the one it knows.
    defaults = {
      name        = "us-east-1"
      region      = "us-east-1"
      endpoint    = "ec2.us-east-1.amazonaws.com"
      description = "US East (N. Virginia)"
      id          = "us-east-1"
    }
  }
  mock_data "aws_iam_policy_document" {
    # The rendered document: a real policy, so resources that validate their policy JSON accept it.
    defaults = {
      json          = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"Service\":\"dms.amazonaws.com\"},\"Action\":\"sts:AssumeRole\"}]}"
      minified_json = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"Service\":\"dms.amazonaws.com\"},\"Action\":\"sts:AssumeRole\"}]}"
      id            = "1234567890"
    }
  }
  mock_data "aws_ssm_parameter" {
    defaults = {
      value          = "ami-0123456789abcdef0"
      insecure_value = "ami-0123456789abcdef0"
      type           = "String"
      version        = 42
      arn            = "arn:aws:ssm:us-east-1::parameter/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64"
    }
  }
  mock_data "aws_iam_role" {
    defaults = {
      arn       = "arn:aws:iam::123456789012:role/dms-vpc-role"
      unique_id = "AROAEXAMPLEROLEID0001"
      id        = "dms-vpc-role"
    }
  }
  mock_data "aws_iam_roles" {
    # The DMS account roles exist (the account stack made or adopted them); the "create" run overrides this.
    defaults = {
      names = ["dms-vpc-role"]
      arns  = ["arn:aws:iam::123456789012:role/dms-vpc-role"]
    }
  }
  mock_data "aws_vpc" {
    defaults = {
      arn        = "arn:aws:ec2:us-east-1:123456789012:vpc/vpc-0a1b2c3d4e5f67890"
      id         = "vpc-0a1b2c3d4e5f67890"
      cidr_block = "10.50.0.0/16"
    }
  }
  mock_data "aws_subnet" {
    defaults = {
      arn               = "arn:aws:ec2:us-east-1:123456789012:subnet/subnet-0a1b2c3d4e5f67890"
      id                = "subnet-0a1b2c3d4e5f67890"
      vpc_id            = "vpc-0a1b2c3d4e5f67890"
      availability_zone = "us-east-1a"
      cidr_block        = "10.50.0.0/20"
    }
  }

  # Computed attributes other resources pass on to arguments the provider validates. No fixed `id`: several
  # resources of one type need distinct ids (a set of two subnet ids with one value is one subnet).
  mock_resource "aws_vpc" {
    defaults = {
      arn = "arn:aws:ec2:us-east-1:123456789012:vpc/vpc-0a1b2c3d4e5f67890"
    }
  }
  mock_resource "aws_subnet" {
    defaults = {
      arn = "arn:aws:ec2:us-east-1:123456789012:subnet/subnet-0a1b2c3d4e5f67890"
    }
  }
  mock_resource "aws_security_group" {
    defaults = {
      arn = "arn:aws:ec2:us-east-1:123456789012:security-group/sg-0a1b2c3d4e5f67890"
    }
  }
  mock_resource "aws_internet_gateway" {
    defaults = {
      arn = "arn:aws:ec2:us-east-1:123456789012:internet-gateway/igw-0a1b2c3d4e5f67890"
    }
  }
  mock_resource "aws_route_table" {
    defaults = {
      arn = "arn:aws:ec2:us-east-1:123456789012:route-table/rtb-0a1b2c3d4e5f67890"
    }
  }
  mock_resource "aws_eip" {
    defaults = {
      allocation_id = "eipalloc-0a1b2c3d4e5f67890"
      public_ip     = "203.0.113.10"
    }
  }
  mock_resource "aws_nat_gateway" {
    defaults = {
    }
  }
  mock_resource "aws_vpc_endpoint" {
    defaults = {
      arn = "arn:aws:ec2:us-east-1:123456789012:vpc-endpoint/vpce-0a1b2c3d4e5f67890"
    }
  }
  mock_resource "aws_instance" {
    defaults = {
      arn         = "arn:aws:ec2:us-east-1:123456789012:instance/i-0a1b2c3d4e5f67890"
      private_ip  = "10.10.0.10"
      private_dns = "ip-10-10-0-10.ec2.internal"
      public_ip   = ""
    }
  }
  mock_resource "aws_iam_role" {
    defaults = {
      arn       = "arn:aws:iam::123456789012:role/dmsm-mock-role"
      unique_id = "AROAEXAMPLEROLEID0002"
    }
  }
  mock_resource "aws_iam_instance_profile" {
    defaults = {
      arn       = "arn:aws:iam::123456789012:instance-profile/dmsm-mock-profile"
      unique_id = "AIPAEXAMPLEPROFILE001"
    }
  }
  mock_resource "aws_kms_key" {
    defaults = {
      arn    = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
      key_id = "1234abcd-12ab-34cd-56ef-1234567890ab"
    }
  }
  mock_resource "aws_kms_alias" {
    defaults = {
      arn            = "arn:aws:kms:us-east-1:123456789012:alias/dmsm-mock"
      target_key_arn = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    }
  }
  mock_resource "aws_sns_topic" {
    defaults = {
      arn = "arn:aws:sns:us-east-1:123456789012:DMSAlertTopic"
    }
  }
  mock_resource "aws_sns_topic_subscription" {
    defaults = {
      arn = "arn:aws:sns:us-east-1:123456789012:DMSAlertTopic:0a1b2c3d-4e5f-6789-abcd-ef0123456789"
    }
  }
  mock_resource "aws_secretsmanager_secret" {
    defaults = {
      arn = "arn:aws:secretsmanager:us-east-1:123456789012:secret:dmsm-mock-AbCdEf"
    }
  }
  mock_resource "aws_db_instance" {
    defaults = {
      arn            = "arn:aws:rds:us-east-1:123456789012:db:dmsm-mock-target"
      address        = "dmsm-mock-target.abcdefghijkl.us-east-1.rds.amazonaws.com"
      endpoint       = "dmsm-mock-target.abcdefghijkl.us-east-1.rds.amazonaws.com:3306"
      resource_id    = "db-ABCDEFGHIJKLMNOPQRSTUVWXYZ"
      hosted_zone_id = "Z2R2ITUGPM61AM"
      # manage_master_user_password = true: RDS returns the secret it manages
      master_user_secret = [{
        secret_arn    = "arn:aws:secretsmanager:us-east-1:123456789012:secret:rds!db-0a1b2c3d-4e5f-6789-abcd-ef0123456789-AbCdEf"
        kms_key_id    = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
        secret_status = "active"
      }]
    }
  }
  mock_resource "aws_db_parameter_group" {
    defaults = {
      arn = "arn:aws:rds:us-east-1:123456789012:pg:dmsm-mock"
    }
  }
  mock_resource "aws_db_subnet_group" {
    defaults = {
      arn = "arn:aws:rds:us-east-1:123456789012:subgrp:dmsm-mock"
    }
  }
  mock_resource "aws_cloudwatch_log_group" {
    defaults = {
      arn = "arn:aws:logs:us-east-1:123456789012:log-group:dmsm-mock"
    }
  }
  mock_resource "aws_cloudwatch_metric_alarm" {
    defaults = {
      arn = "arn:aws:cloudwatch:us-east-1:123456789012:alarm:dmsm-mock"
    }
  }
  mock_resource "aws_cloudwatch_composite_alarm" {
    defaults = {
      arn = "arn:aws:cloudwatch:us-east-1:123456789012:alarm:dmsm-mock-composite"
    }
  }
  mock_resource "aws_cloudwatch_dashboard" {
    defaults = {
      dashboard_arn = "arn:aws:cloudwatch::123456789012:dashboard/dmsm-mock"
    }
  }
  mock_resource "aws_s3_bucket" {
    defaults = {
      arn                         = "arn:aws:s3:::dmsm-mock-bucket"
      bucket_domain_name          = "dmsm-mock-bucket.s3.amazonaws.com"
      bucket_regional_domain_name = "dmsm-mock-bucket.s3.us-east-1.amazonaws.com"
      hosted_zone_id              = "Z3AQBSTGFYJSTF"
      region                      = "us-east-1"
    }
  }
  mock_resource "aws_route53_zone" {
    defaults = {
      zone_id             = "Z0123456789ABCDEFGHIJ"
      arn                 = "arn:aws:route53:::hostedzone/Z0123456789ABCDEFGHIJ"
      primary_name_server = "ns-0.awsdns-00.com."
      name_servers        = ["ns-0.awsdns-00.com.", "ns-512.awsdns-00.net."]
    }
  }
  mock_resource "aws_route53_record" {
    defaults = {
      fqdn = "mysql.dmsm-mock.internal"
    }
  }
  mock_resource "aws_dms_certificate" {
    defaults = {
      certificate_arn = "arn:aws:dms:us-east-1:123456789012:cert:ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    }
  }
  mock_resource "aws_dms_endpoint" {
    defaults = {
      endpoint_arn = "arn:aws:dms:us-east-1:123456789012:endpoint:ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    }
  }
  mock_resource "aws_dms_replication_instance" {
    defaults = {
      replication_instance_arn         = "arn:aws:dms:us-east-1:123456789012:rep:ABCDEFGHIJKLMNOPQRSTUVWXYZ"
      replication_instance_private_ips = ["10.10.128.10"]
      replication_instance_public_ips  = []
    }
  }
  mock_resource "aws_dms_replication_subnet_group" {
    defaults = {
      replication_subnet_group_arn = "arn:aws:dms:us-east-1:123456789012:subgrp:dmsm-mock"
    }
  }
  mock_resource "aws_dms_replication_task" {
    defaults = {
      replication_task_arn = "arn:aws:dms:us-east-1:123456789012:task:ABCDEFGHIJKLMNOPQRSTUVWXYZ"
      status               = "running"
    }
  }
  mock_resource "aws_dms_replication_config" {
    defaults = {
      arn = "arn:aws:dms:us-east-1:123456789012:replication-config:ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    }
  }
  mock_resource "aws_dms_event_subscription" {
    defaults = {
      arn = "arn:aws:dms:us-east-1:123456789012:es:dmsm-mock"
    }
  }
}

# One run: `command = apply` plans (every value still unknown that AWS computes, as `terraform plan` in a pull
# request sees it), then applies with the mocked values; the file's teardown then plans and applies the destroy.
# A separate `command = plan` run would repeat the same plan (about a third of the file's time).
run "apply" {
  command = apply
}
