import { settingFilter } from './google.fetchers';

describe('policies.list filter', () => {
  it('escapes the regex backslash inside the CEL string literal, as Google’s own example does', () => {
    // Google's example (cloudidentity v1 discovery, policies.list filter): setting.type.matches('^settings/gmail\\..*$')
    expect(settingFilter('settings/drive_and_docs.external_sharing')).toBe(
      String.raw`setting.type.matches('^settings/drive_and_docs\\.external_sharing$')`,
    );
    expect(settingFilter('settings/data_regions.data_at_rest_region')).toBe(
      String.raw`setting.type.matches('^settings/data_regions\\.data_at_rest_region$')`,
    );
  });
});
