// `npm run schema`: writes docs/results.schema.json, the JSON Schema of results.json, from the zod
// schema that `prunelab report` validates with (src/study/results-schema.ts). A test checks that
// the committed file is up to date.
import { writeFileSync } from 'node:fs';
import { resultsJsonSchema } from '../dist/study/results-schema.js';

writeFileSync('docs/results.schema.json', JSON.stringify(resultsJsonSchema(), null, 2) + '\n');
console.log('wrote docs/results.schema.json');
