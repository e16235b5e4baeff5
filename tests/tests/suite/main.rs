mod contract;
mod events;
mod insights;
mod responses;
mod sender;
mod system;
mod template;
