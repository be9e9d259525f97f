// The baseline the cold-start figure is compared against: the whole all-operations ECS client,
// imported the way its README shows. Re-exported so esbuild cannot drop it as unused.
export { default } from '@alicloud/ecs20140526';
