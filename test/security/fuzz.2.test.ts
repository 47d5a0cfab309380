/** Part 2 of the route fuzzing (fuzz-suite.ts): every fifth route, on an app of its own. */
import { fuzzShard } from './fuzz-suite.js';

fuzzShard(1);
