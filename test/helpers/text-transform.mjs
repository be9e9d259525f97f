// Jest transform for files the bundle inlines as text (types/text-modules.d.ts): the module is
// the file's content, as esbuild's text loader makes it. The file is read again because jest
// blanks a leading #! line in the source text it passes in.
import { readFileSync } from 'node:fs';

export default {
  process(_sourceText, sourcePath) {
    return { code: `module.exports = ${JSON.stringify(readFileSync(sourcePath, 'utf8'))};` };
  },
};
