export * from "./schema";
export * from "./load";
export { defaultsFor } from "./defaults";
export * from "./errors";
export * from "./cidr";
export * from "./resilience";
