// The scenario matrix, shard 1 (selftest/matrix.ts says why it is split).
import { matrixShard } from './matrix.js';

matrixShard(1);
