// `npm run test:datasets`: the tests on ../shared/datasets (mer-dev); they fail where it is absent.
import { testConfig } from './vitest.config.ts';

export default testConfig(true);
