#!/usr/bin/env node
import('../dist/apiary-sim.js');
