import { Construct } from "constructs";
import { Route53Record } from "@cdktf/provider-aws/lib/route53-record";
import { Route53Zone } from "@cdktf/provider-aws/lib/route53-zone";
import { assertValid } from "../model/checks";
import {
  ActiveDatabase,
  DatabaseNameSettings,
  databaseRecordName,
  resolveDatabaseNameSettings,
  SOURCE_ADDRESS_LABEL,
  validateDatabaseNameSettings,
} from "./database-name-props";
import { Network } from "./network";
import { ISourceMysql } from "./source-mysql";
import { TargetRds } from "./target-rds";

/** The database name's settings (database-name-props.ts) and the two databases it can point at. */
export interface DatabaseNameProps extends DatabaseNameSettings {
  readonly namePrefix: string;
  /** The VPC the private hosted zone is associated with (when this construct creates the zone). */
  readonly network: Network;
  readonly source: ISourceMysql;
  readonly target: TargetRds;
}

/**
 * The stable database name: one CNAME record, `<recordLabel>.<zoneName>`, in a Route 53 private hosted zone of the
 * VPC (created here, $0.50/month, or an existing one), pointing at the source until cutover and at the RDS endpoint
 * address after (`activeDatabase`). The record is a CNAME on both sides, so the flip changes its value only:
 * - an EC2 source: the instance's private DNS name (it resolves to the private IP inside the VPC);
 * - an existing source named by host name: that name;
 * - an existing source given by IPv4 address: a CNAME cannot point at an address, so an A record
 *   `source.<zoneName>` carries it and the CNAME points at that;
 * - the target: the RDS endpoint address (a name whose address changes on a multi-AZ failover: never an A record).
 */
export class DatabaseName extends Construct {
  /** The zone created here (undefined when `existingZoneId` names one). */
  readonly zone?: Route53Zone;
  /** Id of the zone the record is in. */
  readonly zoneId: string;
  /** The record the applications connect to. */
  readonly record: Route53Record;
  /** The A record naming an existing source given by IPv4 address. */
  readonly sourceAddressRecord?: Route53Record;
  /** `<recordLabel>.<zoneName>`, a literal. */
  readonly recordName: string;
  /** The database the record points at. */
  readonly activeDatabase: ActiveDatabase;

  constructor(scope: Construct, id: string, props: DatabaseNameProps) {
    super(scope, id);
    const s = resolveDatabaseNameSettings(props);
    assertValid(validateDatabaseNameSettings(s));
    this.activeDatabase = s.activeDatabase;
    this.recordName = databaseRecordName(s);

    if (s.existingZoneId === "") {
      this.zone = new Route53Zone(this, "zone", {
        name: s.zoneName,
        comment: `${props.namePrefix}: the stable database name ${this.recordName} (source until cutover, then RDS)`,
        vpc: [{ vpcId: props.network.vpcId }],
      });
      this.zoneId = this.zone.zoneId;
    } else {
      this.zoneId = s.existingZoneId;
    }

    let sourceName = props.source.dnsName;
    if (sourceName === undefined) {
      this.sourceAddressRecord = new Route53Record(this, "source-address", {
        zoneId: this.zoneId,
        name: `${SOURCE_ADDRESS_LABEL}.${s.zoneName}`,
        type: "A",
        ttl: s.recordTtlSeconds,
        records: [props.source.host],
      });
      sourceName = `${SOURCE_ADDRESS_LABEL}.${s.zoneName}`;
    }
    const value = s.activeDatabase === "target" ? props.target.instanceEndpointAddress : sourceName;
    this.record = new Route53Record(this, "record", {
      zoneId: this.zoneId,
      name: this.recordName,
      type: "CNAME",
      ttl: s.recordTtlSeconds,
      records: [value],
    });
  }
}
