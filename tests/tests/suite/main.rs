mod contract;
mod events;
mod insights;
mod lifecycle;
mod responses;
mod sender;
mod system;
mod template;
