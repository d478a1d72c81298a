import { useState } from 'react';
import { renderInTestApp } from '@backstage/test-utils';
import { fireEvent, screen } from '@testing-library/react';
import type { Completion } from '@cairn/plugin-pipelines-common';
import {
  CompletionsContext,
  insertCompletion,
  openReference,
  RefTextField,
} from './RefTextField';

describe('openReference', () => {
  it('finds the $( being typed before the caret', () => {
    expect(openReference('echo $(params.re', 16)).toEqual({
      start: 5,
      prefix: '$(params.re',
    });
    expect(
      openReference('$(tasks.fetch.results.commit) x', 31),
    ).toBeUndefined();
    expect(openReference('no reference', 12)).toBeUndefined();
  });
});

describe('insertCompletion', () => {
  it('replaces the reference at the caret, with a closing parenthesis typed already', () => {
    expect(insertCompletion('echo $(par', 10, '$(params.revision)')).toEqual({
      text: 'echo $(params.revision)',
      caret: 23,
    });
    expect(insertCompletion('a $(pa) b', 6, '$(params.revision)')).toEqual({
      text: 'a $(params.revision) b',
      caret: 20,
    });
  });
});

const completions: Completion[] = [
  { label: '$(params.revision)', type: 'param', detail: 'string' },
  { label: '$(params.repository)', type: 'param' },
  { label: '$(tasks.fetch.results.commit)', type: 'result' },
];

function Field() {
  const [value, setValue] = useState('');
  return (
    <CompletionsContext.Provider value={completions}>
      <RefTextField
        id="value"
        label="Value"
        value={value}
        onChange={e => setValue(e.target.value)}
      />
    </CompletionsContext.Provider>
  );
}

describe('RefTextField', () => {
  it('offers the references matching what is typed after $( and inserts the chosen one', async () => {
    await renderInTestApp(<Field />);
    const input = screen.getByLabelText('Value') as HTMLInputElement;
    fireEvent.change(input, {
      target: { value: 'git checkout $(params.re', selectionStart: 24 },
    });
    const options = await screen.findAllByRole('option');
    expect(options.map(o => o.textContent)).toEqual([
      '$(params.revision)string',
      '$(params.repository)',
    ]);
    fireEvent.keyDown(input, { key: 'ArrowDown' });
    fireEvent.keyDown(input, { key: 'Enter' });
    expect(input).toHaveValue('git checkout $(params.repository)');
    expect(screen.queryByRole('option')).toBeNull();
  });
});
