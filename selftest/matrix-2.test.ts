// The scenario matrix, shard 2 (selftest/matrix.ts says why it is split).
import { matrixShard } from './matrix.js';

matrixShard(2);
