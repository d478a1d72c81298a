import v8 from 'node:v8';
import vm from 'node:vm';
import { SharedValues } from './SharedValues';

const spec = () => ({
  tasks: [
    { name: 'build', taskSpec: { steps: [{ name: 'run', script: 'make' }] } },
    { name: 'test', runAfter: ['build'] },
  ],
});

describe('SharedValues', () => {
  it('gives back the copy it holds for an equal value', () => {
    const shared = new SharedValues();
    const first = shared.share(spec());
    const second = shared.share(spec());
    expect(second).toBe(first);
    expect(shared.size).toBe(1);
  });

  it('keeps values that differ apart, however deep the difference', () => {
    const shared = new SharedValues();
    const other = spec();
    other.tasks[0].taskSpec!.steps[0].script = 'make all';
    const a = shared.share(spec());
    const b = shared.share(other);
    expect(b).not.toBe(a);
    expect(b.tasks[0].taskSpec!.steps[0].script).toBe('make all');
    expect(shared.size).toBe(2);
  });

  it('freezes what it shares, to the leaves, so no reader changes every holder', () => {
    const value = new SharedValues().share(spec());
    expect(() => {
      value.tasks[0].taskSpec!.steps[0].script = 'rm -rf /';
    }).toThrow(TypeError);
    expect(() => value.tasks.push({ name: 'x', runAfter: [] })).toThrow(
      TypeError,
    );
    expect(value.tasks[0].taskSpec!.steps[0].script).toBe('make');
  });

  it('passes primitives and absent values through', () => {
    const shared = new SharedValues();
    expect(shared.share(undefined)).toBeUndefined();
    expect(shared.share(null)).toBeNull();
    expect(shared.share('text')).toBe('text');
    expect(shared.size).toBe(0);
  });

  it('lets go of a value no object holds any more', async () => {
    const shared = new SharedValues();
    (() => shared.share(spec()))();
    // V8's gc(), reachable without --expose-gc on the command line.
    v8.setFlagsFromString('--expose-gc');
    const gc = vm.runInNewContext('gc') as () => void;
    for (let i = 0; i < 20 && shared.size > 0; i++) {
      gc();
      await new Promise(resolve => setTimeout(resolve, 10));
    }
    expect(shared.size).toBe(0);
  });
});
