/** What the replica process needs from the PBFT core: the contract in consensus/types.ts. */
export type {
  ProposeResult,
  ReplicaCore as ReplicaCorePort,
  RestoredState,
} from '../consensus/types.ts';
