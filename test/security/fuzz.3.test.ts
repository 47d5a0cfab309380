/** Part 3 of the route fuzzing (fuzz-suite.ts): every fourth route, on an app of its own. */
import { fuzzShard } from './fuzz-suite.js';

fuzzShard(2);
