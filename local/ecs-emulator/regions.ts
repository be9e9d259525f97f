/** The regions a fresh emulator knows, with the names DescribeRegions gives them. */
export const DEFAULT_REGIONS: ReadonlyArray<{ regionId: string; localName: string }> = [
  { regionId: 'cn-hangzhou', localName: 'China (Hangzhou)' },
  { regionId: 'cn-shanghai', localName: 'China (Shanghai)' },
  { regionId: 'cn-beijing', localName: 'China (Beijing)' },
  { regionId: 'cn-shenzhen', localName: 'China (Shenzhen)' },
  { regionId: 'cn-hongkong', localName: 'China (Hong Kong)' },
  { regionId: 'ap-southeast-1', localName: 'Singapore' },
  { regionId: 'us-west-1', localName: 'US (Silicon Valley)' },
  { regionId: 'eu-central-1', localName: 'Germany (Frankfurt)' },
];
