export * from "./catalog";
export * from "./network";
export * from "./source-mysql";
export * from "./target-rds";
export * from "./state-backend";
