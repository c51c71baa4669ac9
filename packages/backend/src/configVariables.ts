/*
 * The environment variables a config file needs. Backstage turns a
 * `${NAME}` whose variable is unset into a missing value, which fails much
 * later with the config key's name ("Missing required config value at
 * 'backend.database.connection.host'") or not at all. The backend checks
 * its `--config` files before it starts and names the variable instead.
 */
import { readFileSync } from 'node:fs';
import { parseAllDocuments } from 'yaml';

/** `${NAME}`; `$${…}` is an escape and `${NAME:-fallback}` has a default. */
const REFERENCE = /(\$?)\$\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*(:-[^}]*)?\}/g;

export type ConfigVariable = {
  name: string;
  /** Dotted config key the reference sits under, e.g. `backend.baseUrl`. */
  key: string;
};

/**
 * Every `${NAME}` a config file's values use without a fallback, in file
 * order, one entry per key. Comments are not values, so they never count.
 */
export function requiredVariables(yamlText: string): ConfigVariable[] {
  const found: ConfigVariable[] = [];
  const visit = (value: unknown, key: string) => {
    if (typeof value === 'string') {
      for (const match of value.matchAll(REFERENCE)) {
        if (match[1] === '' && match[3] === undefined) {
          found.push({ name: match[2], key });
        }
      }
    } else if (Array.isArray(value)) {
      value.forEach((item, index) => visit(item, `${key}[${index}]`));
    } else if (value && typeof value === 'object') {
      for (const [name, child] of Object.entries(value)) {
        // `$file` and `$include` are include directives, not config keys.
        const path = key ? `${key}.${name}` : name;
        visit(child, name.startsWith('$') ? key : path);
      }
    }
  };
  for (const document of parseAllDocuments(yamlText)) {
    visit(document.toJS(), '');
  }
  return found;
}

/** The files named by `--config <file>` or `--config=<file>` in `argv`. */
export function configFilesOf(argv: string[]): string[] {
  const files: string[] = [];
  argv.forEach((arg, index) => {
    if (arg === '--config' && argv[index + 1]) files.push(argv[index + 1]);
    else if (arg.startsWith('--config=')) files.push(arg.slice(9));
  });
  return files;
}

/**
 * The variables that `files` need and `env` leaves unset or empty, with
 * the file and key of their first use.
 */
export function missingVariables(
  files: string[],
  env: NodeJS.ProcessEnv,
  readFile: (path: string) => string = path => readFileSync(path, 'utf8'),
): Array<ConfigVariable & { file: string }> {
  const missing = new Map<string, ConfigVariable & { file: string }>();
  for (const file of files) {
    // Remote config (URLs) is left to Backstage's own loader.
    if (/^[a-z]+:\/\//i.test(file)) continue;
    for (const variable of requiredVariables(readFile(file))) {
      if (!env[variable.name] && !missing.has(variable.name)) {
        missing.set(variable.name, { ...variable, file });
      }
    }
  }
  return [...missing.values()];
}

/** The message the backend stops with, one line per missing variable. */
export function describeMissing(
  missing: Array<ConfigVariable & { file: string }>,
): string {
  return [
    `The backend cannot start: ${missing.length} environment variable${
      missing.length === 1 ? '' : 's'
    } that its config needs ${missing.length === 1 ? 'is' : 'are'} not set.`,
    ...missing.map(m => `  ${m.name} (used by ${m.key} in ${m.file})`),
    'See "Deploying" in the README for what provides each one.',
  ].join('\n');
}
