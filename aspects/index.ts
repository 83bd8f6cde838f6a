export * from "./pack";
export * from "./rule";
export * from "./tagging";
