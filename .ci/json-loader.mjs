// @actions/workflow-parser imports its JSON schema without `with { type: "json" }` (bundler
// style); Node 20 needs the attribute. This loader hook adds it for .json files only.
export async function load(url, context, nextLoad) {
    if (url.endsWith(".json")) {
        return nextLoad(url, { ...context, importAttributes: { ...context.importAttributes, type: "json" } });
    }
    return nextLoad(url, context);
}
