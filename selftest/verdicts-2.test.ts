// In-process verdicts, shard 2 (selftest/verdicts.ts says why it is split).
import { verdictShard } from './verdicts.js';

verdictShard(2);
