import type { EvaluationContext } from './baseline.types';

/**
 * Fixtures for the attestation controls of the presets: attested and unexpired passes; the same
 * attestation past its expiry is `unknown` (an attestation control never fails: no API shows the
 * setting, so all Tollgate can say is that nobody vouches for it).
 */
const NOW = new Date('2030-06-01T00:00:00Z');

export function attestationFixtures(controlIds: readonly string[]) {
  return Object.fromEntries(
    controlIds.map((controlId, i) => {
      const attestation = (expiresAt: string) => ({
        id: `00000000-0000-4000-8000-${String(i + 1).padStart(12, '0')}`,
        statement: `Checked in the admin center for ${controlId}.`,
        evidenceRef: `SEC-${100 + i}`,
        attestedBy: 'approver@example.test',
        expiresAt,
      });
      const context = (expiresAt: string): EvaluationContext => ({ attestations: { [controlId]: attestation(expiresAt) }, now: NOW });
      return [
        controlId,
        {
          pass: { doc: {}, context: context('2030-12-01T00:00:00.000Z') },
          fail: { doc: {}, context: context('2030-05-01T00:00:00.000Z') },
        },
      ];
    }),
  );
}
