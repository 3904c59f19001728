export * from "./engine";
export * from "./stackFile";
