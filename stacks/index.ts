export * from "./schema";
export * from "./load";
export { defaultsFor, environmentDefaults } from "./defaults";
export * from "./errors";
export * from "./cidr";
