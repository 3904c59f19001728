export * from "./foundation";
export * from "./subnets";
