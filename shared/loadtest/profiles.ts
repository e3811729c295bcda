/** The seed's five load profiles, in users per stage (a user makes `ratePerUser` requests/s in the open model). */
export const PROFILE_NAMES = ['baseline', 'stress', 'spike', 'endurance', 'scalability'] as const;
export type ProfileName = (typeof PROFILE_NAMES)[number];

/** One constant-load step of a run. */
export interface Stage {
  /** Simulated users: requests/s = users × ratePerUser (open model), or virtual users (closed model). */
  users: number;
  durationSeconds: number;
}

export interface Profile {
  name: ProfileName;
  description: string;
  stages: readonly Stage[];
}

const steps = (users: readonly number[], durationSeconds: number): Stage[] => users.map((u) => ({ users: u, durationSeconds }));

export const PROFILES: Readonly<Record<ProfileName, Profile>> = {
  // The seed: "Normal expected load (10 users, 60 seconds)".
  baseline: { name: 'baseline', description: 'normal expected load: 10 users for 60 s', stages: steps([10], 60) },
  // The seed: "Increased load to find limits (100 users, 300 seconds)"; in four steps so the per-stage
  // degradation shows where the limit is.
  stress: { name: 'stress', description: 'increased load to find limits: 25 → 50 → 75 → 100 users, 300 s', stages: steps([25, 50, 75, 100], 75) },
  // The seed: "Sudden load increases (200 users with 5x spikes)": 40 users with two 5× spikes to 200.
  spike: {
    name: 'spike',
    description: 'sudden load increases: 40 users with two 5× spikes to 200, 120 s',
    stages: [
      { users: 40, durationSeconds: 30 },
      { users: 200, durationSeconds: 15 },
      { users: 40, durationSeconds: 30 },
      { users: 200, durationSeconds: 15 },
      { users: 40, durationSeconds: 30 },
    ],
  },
  // The seed: "Sustained load over time (50 users, 1 hour)"; four 15-minute stages show drift.
  endurance: { name: 'endurance', description: 'sustained load: 50 users for 1 h', stages: steps([50, 50, 50, 50], 900) },
  // The seed: "Gradual increase (10→500 users incrementally)".
  scalability: { name: 'scalability', description: 'gradual increase: 10 → 500 users in 7 steps of 30 s', stages: steps([10, 50, 100, 200, 300, 400, 500], 30) },
};

export function isProfileName(name: string): name is ProfileName {
  return (PROFILE_NAMES as readonly string[]).includes(name);
}
