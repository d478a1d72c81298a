import {
  isFiltered,
  readRunListState,
  RunListState,
  writeRunListState,
} from './runFilters';

const plain: RunListState = {
  entity: [],
  status: [],
  pipeline: [],
  cluster: '',
  namespace: '',
  label: '',
  search: '',
};

describe('runs list state in the address', () => {
  it('reads every filter and the search, lists from repeated parameters', () => {
    expect(
      readRunListState(
        new URLSearchParams(
          'status=failed&status=running&pipeline=build&entity=component:default/shop&cluster=dev&namespace=ci&label=team%3Dpay&q=x1',
        ),
      ),
    ).toEqual({
      entity: ['component:default/shop'],
      status: ['failed', 'running'],
      pipeline: ['build'],
      cluster: 'dev',
      namespace: 'ci',
      label: 'team=pay',
      search: 'x1',
    });
  });

  it('reads an address without parameters as the plain list, and drops unknown statuses', () => {
    expect(readRunListState(new URLSearchParams())).toEqual(plain);
    expect(
      readRunListState(new URLSearchParams('status=exploded&status=failed'))
        .status,
    ).toEqual(['failed']);
  });

  it('writes what it reads back, keeps parameters that are not its own, and leaves empty parts out', () => {
    const state: RunListState = {
      ...plain,
      status: ['failed'],
      pipeline: ['build', 'release'],
      namespace: ' ci ',
      search: 'x1',
    };
    const written = writeRunListState(
      new URLSearchParams(
        'entityRef=component:default/shop&status=running&label=a',
      ),
      state,
    );
    expect(written.toString()).toBe(
      'entityRef=component%3Adefault%2Fshop&status=failed&pipeline=build&pipeline=release&namespace=ci&q=x1',
    );
    expect(readRunListState(written)).toEqual({ ...state, namespace: 'ci' });
    expect(writeRunListState(new URLSearchParams(), plain).toString()).toBe('');
  });

  it('tells filters from the search', () => {
    expect(isFiltered(plain)).toBe(false);
    expect(isFiltered({ ...plain, status: ['failed'] })).toBe(true);
    expect(isFiltered({ ...plain, label: 'a=b' })).toBe(true);
  });
});
