import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { parse as parseYaml } from 'yaml';
import type { FirehoseLocalConfig } from './config';

/**
 * Reads a config file: YAML for `.yaml`/`.yml`, JSON otherwise. Only the
 * syntax is checked here; `startFirehoseLocal` validates the fields and names
 * the one that is wrong.
 */
export function readConfigFile(file: string): Partial<FirehoseLocalConfig> {
  const resolved = path.resolve(file);
  let text: string;
  try {
    text = readFileSync(resolved, 'utf8');
  } catch (error) {
    throw new Error(
      `cannot read config file ${resolved}: ${(error as Error).message}`,
    );
  }
  const yaml = /\.ya?ml$/i.test(resolved);
  let parsed: unknown;
  try {
    parsed = yaml ? parseYaml(text) : JSON.parse(text);
  } catch (error) {
    throw new Error(
      `config file ${resolved} is not valid ${yaml ? 'YAML' : 'JSON'}: ${
        (error as Error).message
      }`,
    );
  }
  if (parsed === null || parsed === undefined) return {};
  if (typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new Error(`config file ${resolved} must hold an object at its top`);
  }
  return parsed as Partial<FirehoseLocalConfig>;
}
