import { API_VERSION } from '@apiary/protocol';
import { Command } from 'commander';

const program = new Command('apiary')
  .description('Operate an Apiary fleet: hosts, environments, VMs and images.')
  .version(`0.1.0 (API ${API_VERSION})`);

program.parse();
