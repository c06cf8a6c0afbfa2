// In-process verdicts, shard 1 (selftest/verdicts.ts says why it is split).
import { verdictShard } from './verdicts.js';

verdictShard(1);
