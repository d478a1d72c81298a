import { readdirSync, readFileSync } from 'fs';
import { join } from 'path';
import { parse } from 'yaml';
import { reconcileYamlText } from './yamlText';

/*
 * Random edits anywhere in the corpus pipelines, applied one after another
 * to the text: after each, the text must hold exactly the edited value.
 * Seeded, so a failure reproduces.
 */

function random(seed: number) {
  let state = seed;
  return () => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return state / 2147483648;
  };
}

const STRINGS = [
  'yes',
  'off',
  '0777',
  '1.10',
  'null',
  '',
  '~',
  'a: b',
  '#x',
  ' lead',
  'trail ',
  'multi\nline\n',
  'tabs\tand  \nspaces  \n',
  '$(params.x)',
  '日本語 🚀',
  '- dash',
  '[x]',
  '{y}',
  '"q"',
  "'s'",
  'keep\n\n',
];

type Path = Array<string | number>;

function containers(
  value: unknown,
  path: Path = [],
  into: Path[] = [],
): Path[] {
  if (value && typeof value === 'object') {
    into.push(path);
    for (const [key, child] of Object.entries(value)) {
      containers(
        child,
        [...path, Array.isArray(value) ? Number(key) : key],
        into,
      );
    }
  }
  return into;
}

function at(root: any, path: Path): any {
  return path.reduce((node, key) => node[key], root);
}

const corpusDir = join(__dirname, '__fixtures__', 'corpus');

describe.each(readdirSync(corpusDir).filter(f => f.endsWith('.yaml')))(
  'random edits of %s',
  file => {
    it('keep the text equal to the edited value', () => {
      const next = random(file.length * 7919);
      const pick = <T>(items: T[]): T =>
        items[Math.floor(next() * items.length)];
      const newValue = (): unknown => {
        const kind = next();
        if (kind < 0.6) return pick(STRINGS);
        if (kind < 0.7) return Math.floor(next() * 1000);
        if (kind < 0.75) return next() < 0.5;
        if (kind < 0.85) return [pick(STRINGS), { name: pick(STRINGS) }];
        return {
          name: 'n',
          value: pick(STRINGS),
          nested: { list: [1, 'two'] },
        };
      };
      let text = readFileSync(join(corpusDir, file), 'utf8');
      let value = parse(text);
      for (let i = 0; i < 40; i++) {
        const target = JSON.parse(JSON.stringify(value));
        const path = pick(containers(target));
        const container = at(target, path);
        const keys = Object.keys(container);
        const operation = next();
        if (Array.isArray(container)) {
          const index = Math.floor(next() * (container.length + 1));
          if (operation < 0.4 || container.length === 0) {
            container.splice(index, 0, newValue());
          } else if (operation < 0.7) {
            container.splice(Math.min(index, container.length - 1), 1);
          } else {
            container[Math.min(index, container.length - 1)] = newValue();
          }
        } else if (operation < 0.3 || keys.length === 0) {
          container[`k${i}.${pick(['a', 'yes', 'x/y'])}`] = newValue();
        } else if (operation < 0.5) {
          delete container[pick(keys)];
        } else {
          container[pick(keys)] = newValue();
        }
        const edited = reconcileYamlText(text, target);
        expect(parse(edited)).toEqual(target);
        text = edited;
        value = target;
      }
    });
  },
);
