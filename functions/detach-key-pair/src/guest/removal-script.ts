// The bundle inlines the script as text (build.mjs loader `.sh: text`); types/text-modules.d.ts
// declares the import, and jest loads it through test/helpers/text-transform.js.
import script from './remove-key.sh';

/** remove-key.sh as it is in the source tree; removalScriptFor puts the key's variables in it. */
export const REMOVAL_SCRIPT: string = script;
