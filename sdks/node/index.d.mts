// Types of `import ... from '@statusapp/sdk'`: the same as the CommonJS entry's.
import { StatusApp } from './index.js';

export * from './index.js';
export default StatusApp;
