import { EnvironmentConfig } from "./config";
import { baseConfig } from "./base";

/** dev: the free-tier footprint. Single AZ, micro classes, no NAT gateway, no interface endpoints. */
export const dev: EnvironmentConfig = baseConfig("dev");
