import type { Firestore } from '@google-cloud/firestore';
import { COLLECTIONS } from '../basics/collections';
import type { LoadPlan } from './load-plan';
import { Recording, mergeRecordings, type SerializedRecording } from './recording';

/** The env Cloud Run sets in each task of a job execution (and the task mode reads). */
export const CLOUD_RUN_TASK_ENV = { index: 'CLOUD_RUN_TASK_INDEX', count: 'CLOUD_RUN_TASK_COUNT', execution: 'CLOUD_RUN_EXECUTION' } as const;

interface StoredTaskResult {
  runId: string;
  task: number;
  taskCount: number;
  target: string;
  plan: string;
  recording: string;
}

/** Stores one task's recording (JSON; a recording of ≤ 300 timeline buckets stays far under 1 MB). */
export async function storeTaskResult(db: Firestore, runId: string, task: number, taskCount: number, plan: LoadPlan, target: string, recording: Recording): Promise<void> {
  const doc: StoredTaskResult = { runId, task, taskCount, target, plan: JSON.stringify(plan), recording: JSON.stringify(recording.toJSON()) };
  await db.collection(COLLECTIONS.loadtestResults).doc(`${runId}_${task}`).set(doc);
}

/** The merged recording of a run's tasks, or which tasks are still missing. */
export async function collectTaskResults(db: Firestore, runId: string): Promise<{ plan: LoadPlan; target: string; recording: Recording; tasks: number; taskCount: number } | { missing: number[]; taskCount: number | null }> {
  const snap = await db.collection(COLLECTIONS.loadtestResults).where('runId', '==', runId).get();
  const docs = snap.docs.map((d) => d.data() as StoredTaskResult);
  const first = docs[0];
  if (!first) return { missing: [], taskCount: null };
  const have = new Set(docs.map((d) => d.task));
  const missing = Array.from({ length: first.taskCount }, (_, i) => i).filter((i) => !have.has(i));
  if (missing.length > 0) return { missing, taskCount: first.taskCount };
  const recording = mergeRecordings(docs.sort((a, b) => a.task - b.task).map((d) => Recording.fromJSON(JSON.parse(d.recording) as SerializedRecording)));
  return { plan: JSON.parse(first.plan) as LoadPlan, target: first.target, recording, tasks: docs.length, taskCount: first.taskCount };
}
