import '@testing-library/jest-dom';
import { configure } from '@testing-library/react';

// The default 1 s for findBy/waitFor is shorter than a Material UI page's
// re-render on a busy 2-core machine (CI runs the suites side by side); a
// bound for waiting, not a measure of speed (docs/benchmarks.md has those).
configure({ asyncUtilTimeout: 10_000 });
