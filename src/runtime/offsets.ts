/**
 * Which offset a partition may commit when its records finish out of order (unordered readers): only up to the
 * lowest record not yet finished, so a restart re-delivers every record that might not have had its effect.
 * Records finished beyond that point are delivered again after a crash, which the idempotency store absorbs.
 */
export class OffsetTracker {
  /** Offsets in the order they were added (ascending, possibly with gaps), from `head` on still tracked. */
  private readonly offsets: number[] = [];
  private readonly finished = new Set<number>();
  private head = 0;
  private position: number | undefined;

  /** Starts tracking a record; offsets must be added in ascending order. */
  add(offset: number): void {
    const last = this.offsets[this.offsets.length - 1];
    if (last !== undefined && offset <= last) {
      throw new Error(`offset ${offset} added after ${last}: offsets must ascend`);
    }
    this.offsets.push(offset);
  }

  /** Marks a tracked record as finished (handled, dead-lettered or skipped: its offset may be committed). */
  finish(offset: number): void {
    this.finished.add(offset);
    while (this.head < this.offsets.length && this.finished.has(this.offsets[this.head]!)) {
      const done = this.offsets[this.head]!;
      this.finished.delete(done);
      this.position = done + 1;
      this.head++;
    }
    if (this.head > 1024 && this.head * 2 > this.offsets.length) {
      this.offsets.splice(0, this.head);
      this.head = 0;
    }
  }

  /**
   * The next offset to read once committed: one past the highest record below which everything finished, or
   * `undefined` while the lowest tracked record has not finished.
   */
  committable(): number | undefined {
    return this.position;
  }

  /** Records added and not yet released by a finished prefix. */
  get pending(): number {
    return this.offsets.length - this.head;
  }
}
