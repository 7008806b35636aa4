// The partition table (C1): which worker owns which partition, fixed for the life of the process.
// Partition p belongs to worker p mod workerCount.

import { workerOf } from "@cairn/partition";
import type { WorkerHost } from "./worker-host.js";

export class PartitionTable {
  readonly partitionCount: number;
  readonly workers: readonly WorkerHost[];

  constructor(partitionCount: number, workers: readonly WorkerHost[]) {
    if (workers.length < 1 || workers.length > partitionCount) {
      throw new RangeError(`need 1..${partitionCount} workers for ${partitionCount} partitions, got ${workers.length}`);
    }
    this.partitionCount = partitionCount;
    this.workers = workers;
  }

  /** The partitions worker `index` owns. */
  static partitionsOf(index: number, partitionCount: number, workerCount: number): number[] {
    const owned: number[] = [];
    for (let p = 0; p < partitionCount; p++) if (workerOf(p, workerCount) === index) owned.push(p);
    return owned;
  }

  workerOfPartition(partition: number): WorkerHost {
    const worker = this.workers[workerOf(partition, this.workers.length)];
    if (worker === undefined) throw new RangeError(`no worker for partition ${partition}`);
    return worker;
  }
}
