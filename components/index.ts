export * from "./foundation";
export * from "./factory";
export * from "./platform";
export * from "./naming";
